"""A Django site that logs its users in with DigitalOcean and X through social-auth-app-django."""
