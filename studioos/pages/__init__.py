"""One module per page: its state (thin: call a service, set vars) and its components."""
