"""What protects the edges: the session cookie, rate limits, CSRF and security headers.

Edge layer (Flask), installed by create_app around the pages and socket handlers.
"""
