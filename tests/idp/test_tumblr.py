"""Tumblr as tumblr/docs api.md (@708be10) documents it."""

from __future__ import annotations

import re

import fakeidp

from .oauth1_flow import OAuth1Flow

# "Each blog also has a unique identifier … in the `uuid` field (example:
# `t:0aY0xL2Fi1OFJg4YxpmegQ`)" (tumblr/docs api.md, "Blog Unique Identifiers").
BLOG_UUID = re.compile(r"t:[A-Za-z0-9_-]{22}")


def test_user_info_blogs_carry_their_uuid(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "tumblr")
    response = flow.profile(flow.tokens())
    assert response.status_code == 200, response.text
    user = response.json()["response"]["user"]
    assert user["name"] == "fakeidptest"
    assert all(BLOG_UUID.fullmatch(blog["uuid"]) for blog in user["blogs"])
    # python-social-auth reads the user id from the *primary* blog's uuid
    # (social_core/backends/tumblr.py get_user_id_for_key), not from blogs[0] by luck.
    primary = [blog for blog in user["blogs"] if blog["primary"]]
    assert len(primary) == 1 and len(user["blogs"]) > 1
    assert len({blog["uuid"] for blog in user["blogs"]}) == len(user["blogs"])
