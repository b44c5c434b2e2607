// A small web app with "log in with <provider>", on Node.js's built-in http and fetch only
// (Node.js 18+). The same contract as examples/http_app/app.py, in a second language:
//
//     fakeidp conformance --target "exec:node examples/http_app_node/app.js" --html report.html
//
// The engine starts it with PORT and FAKEIDP_CONFIG (a JSON file: each provider's URLs, test
// credentials and a correct connection; see fakeidp.conformance.http_app) and drives it over
// HTTP: GET /login?provider=ID, GET /callback, POST /refresh, GET /capabilities. It speaks
// OAuth 2.0 only, so the OAuth 1.0a providers are reported not applicable.
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');

const CONFIG = JSON.parse(fs.readFileSync(process.env.FAKEIDP_CONFIG, 'utf8'));
const PROVIDERS = CONFIG.providers;
const SESSIONS = new Map(); // session cookie -> this browser's login
const CAPABILITIES = ['callback', 'refresh', 'scopes', 'static_params', 'dynamic_params', 'custom_headers'];

class LoginFailed extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

// RFC 6749 §2.3.1: form-encode the client id and secret, then Base64 them.
const formEncode = (value) => encodeURIComponent(value).replace(/%20/g, '+');

async function tokenRequest(conn, form) {
  const headers = { Accept: 'application/json', ...conn.token_headers };
  const body = new URLSearchParams(form);
  if (conn.client_auth === 'basic' || conn.client_auth === 'both') {
    const pair = `${formEncode(conn.client_id)}:${formEncode(conn.client_secret || '')}`;
    headers.Authorization = 'Basic ' + Buffer.from(pair).toString('base64');
  }
  if (conn.client_auth === 'body' || conn.client_auth === 'both') {
    body.set('client_id', conn.client_id);
    body.set('client_secret', conn.client_secret || '');
  }
  const response = await fetch(conn.token_url, { method: 'POST', headers, body });
  const text = await response.text();
  let token;
  try {
    token = JSON.parse(text);
  } catch (e) {
    const kind = response.status >= 500 ? 'server_error' : 'malformed_response';
    throw new LoginFailed(kind, `the token endpoint answered ${response.status} without JSON`);
  }
  if (response.status >= 500) throw new LoginFailed('server_error', `the token endpoint answered ${response.status}`);
  if (response.status !== 200 || typeof token !== 'object' || token === null || !token.access_token) {
    throw new LoginFailed('token_error', `the token endpoint refused (${response.status})`);
  }
  return token;
}

// Call the profile API in the provider's scheme; the user id at the configured path.
async function userId(conn, accessToken) {
  const headers = { Accept: 'application/json' };
  for (const [name, value] of Object.entries(conn.profile_headers)) {
    headers[name] = value.replaceAll('${client_id}', conn.client_id);
  }
  const query = new URLSearchParams(conn.profile_query);
  const scheme = conn.profile_auth;
  if (scheme === 'bearer') headers.Authorization = `Bearer ${accessToken}`;
  else if (scheme === 'oauth') headers.Authorization = `OAuth ${accessToken}`;
  else if (scheme.startsWith('query:')) query.set(scheme.split(':')[1], accessToken);
  const url = conn.profile_url + (query.toString() ? '?' + query.toString() : '');
  const response = await fetch(url, { headers });
  // RFC 6750 says 401; Imgur answers an expired token with 403 (ShareX#1191 added the same
  // workaround), so both mean "try a refresh".
  if (response.status === 401 || response.status === 403) {
    throw new LoginFailed('expired', `the profile API answered ${response.status}`);
  }
  if (response.status !== 200) throw new LoginFailed('profile_error', `the profile API answered ${response.status}`);
  let node = await response.json();
  for (const part of conn.user_id_path.split('.')) {
    node = Array.isArray(node) ? node[Number(part)] : node && node[part];
  }
  if (node === undefined || node === null) throw new LoginFailed('profile_error', 'the profile has no user id');
  return String(node);
}

function session(req) {
  const match = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie || '');
  let sid = match ? match[1] : '';
  if (!SESSIONS.has(sid)) {
    sid = crypto.randomBytes(16).toString('base64url');
    SESSIONS.set(sid, {});
  }
  return [sid, SESSIONS.get(sid)];
}

function reply(res, status, body, headers = {}) {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

function login(req, res, query) {
  const provider = PROVIDERS[query.get('provider') || ''];
  if (!provider || provider.protocol !== 'oauth2') {
    throw new LoginFailed('unsupported', 'this app logs in with OAuth 2.0 providers only');
  }
  const conn = provider.connection;
  const [sid, s] = session(req);
  for (const key of Object.keys(s)) delete s[key];
  Object.assign(s, { provider: provider.id, state: crypto.randomBytes(32).toString('base64url') });
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: conn.client_id,
    redirect_uri: provider.redirect_uri,
    state: s.state,
    ...conn.static_params,
  });
  for (const [param, field] of Object.entries(conn.dynamic_params)) {
    if (query.has(field)) params.set(param, query.get(field));
  }
  if (conn.scopes.length) params.set('scope', conn.scopes.join(conn.scope_separator));
  if (conn.pkce) { // RFC 7636 §4.1-4.2: S256 of a 43+ character verifier
    s.verifier = crypto.randomBytes(48).toString('base64url');
    params.set('code_challenge', crypto.createHash('sha256').update(s.verifier).digest('base64url'));
    params.set('code_challenge_method', 'S256');
  }
  res.writeHead(302, {
    Location: `${conn.authorize_url}?${params}`,
    'Set-Cookie': `sid=${sid}; HttpOnly; Path=/`,
    'Content-Length': 0,
  });
  res.end();
}

async function callback(req, res, query) {
  const [, s] = session(req);
  if (!s.state || query.get('state') !== s.state) {
    throw new LoginFailed('state_mismatch', "the state does not match this browser's login");
  }
  if (query.get('error')) {
    const kind = query.get('error') === 'access_denied' ? 'cancelled' : 'authorize_error';
    throw new LoginFailed(kind, query.get('error_description') || query.get('error'));
  }
  const provider = PROVIDERS[s.provider];
  const form = { grant_type: 'authorization_code', code: query.get('code') || '', redirect_uri: provider.redirect_uri };
  if (s.verifier) form.code_verifier = s.verifier;
  s.token = await tokenRequest(provider.connection, form);
  reply(res, 200, { user_id: await userId(provider.connection, s.token.access_token) });
}

// On a 401 (Imgur: 403) the token expired: refresh, keep the new refresh token, retry.
async function refresh(req, res) {
  const [, s] = session(req);
  if (!s.token) throw new LoginFailed('not_logged_in', 'no login in this session');
  const conn = PROVIDERS[s.provider].connection;
  try {
    return reply(res, 200, { user_id: await userId(conn, s.token.access_token) });
  } catch (error) {
    if (!(error instanceof LoginFailed) || error.kind !== 'expired' || !s.token.refresh_token) throw error;
  }
  const old = s.token.refresh_token;
  const token = await tokenRequest(conn, { grant_type: 'refresh_token', refresh_token: old });
  if (!token.refresh_token) token.refresh_token = old; // RFC 6749 §6: a new one replaces the old
  s.token = token;
  reply(res, 200, { user_id: await userId(conn, token.access_token) });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  try {
    if (req.method === 'GET' && url.pathname === '/capabilities') reply(res, 200, { capabilities: CAPABILITIES });
    else if (req.method === 'GET' && url.pathname === '/login') login(req, res, url.searchParams);
    else if (req.method === 'GET' && url.pathname === '/callback') await callback(req, res, url.searchParams);
    else if (req.method === 'POST' && url.pathname === '/refresh') await refresh(req, res);
    else reply(res, 404, { error: { kind: 'not_found', message: url.pathname } });
  } catch (error) {
    if (error instanceof LoginFailed) reply(res, 400, { error: { kind: error.kind, message: error.message } });
    else reply(res, 400, { error: { kind: 'network_error', message: String(error && error.message) } });
  }
});

server.listen(Number(process.env.PORT || 8000), '127.0.0.1');
