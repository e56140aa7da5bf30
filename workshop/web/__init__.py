"""The edges people touch: phone, facilitator and projector pages, their commands, and the
inbound socket events.

Edge layer (Flask and Socket.IO): reads the request, calls one verb or one view, answers.
"""
