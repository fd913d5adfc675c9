"""The emulator's defaults: the default account and user, the platform project, limits."""

DEFAULT_ACCESS_KEY = "EMULATORAK0000000001"
DEFAULT_SECRET_KEY = "emulator-sk-do-not-use-in-production-0001"
DEFAULT_PROJECT_ID = "0a4e7c1d2b3f4a5e9c8d7b6a5f4e3d2c"
DEFAULT_USER = "emulator-user"
DEFAULT_PASSWORD = "emulator-password"
DEFAULT_DOMAIN = "emulator-domain"
# The platform project that owns the public and market images (none of the accounts).
PUBLIC_OWNER = "1bed856811654c1cb661a6ca845ebc77"
DEFAULT_REGION = "cn-north-4"
DEFAULT_QUOTA = 500  # private images per project
DEFAULT_TOKEN_TTL = 86400  # seconds
