"""Who is asking: agents (password + TOTP) and account users (one-time codes)."""
