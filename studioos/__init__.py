"""StudioOS: the back office of a webcam studio."""
