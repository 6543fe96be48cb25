"""Service level agreements: policies by priority and channel, business-time clocks on every
case, and the periodic job that marks breaches and escalates them."""
