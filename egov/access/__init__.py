"""Access: the permission policy, sign-in checks (passwords, TOTP, bearer tokens) and the admin base
class every policy-aware screen uses. Low in the app layers (see docs/architecture.md): it holds no
models and reads people's and organisations' rows through ``apps.get_model``, so every domain app and
``people`` itself may import it."""
