"""Outbound pushes: the Socket.IO server, who is connected, and the views sent to each room.

Infra layer: the verbs call `broadcast.changed` after each commit; the inbound socket
handlers live with the other edges, in `workshop.web.events`.
"""
