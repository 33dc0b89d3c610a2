"""Channels: one small module per provider, turning requests into Inbounds and replies into
what that provider shows (TwiML, Telegram keyboards, web forms)."""
