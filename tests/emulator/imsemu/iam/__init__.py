"""IAM: accounts (AK/SK), users, tokens (``POST /v3/auth/tokens``) and authentication."""
