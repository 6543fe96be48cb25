"""Account sessions and the embedded components that boot from them."""
