"""A Django site that logs its users in with DigitalOcean through social-auth-app-django."""
