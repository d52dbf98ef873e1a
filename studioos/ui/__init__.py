"""What every page shares: who is signed in, the layout and the components."""
