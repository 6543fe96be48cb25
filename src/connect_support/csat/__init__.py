"""Customer satisfaction: the rating from 1 to 5 a requester gives after a case is solved (from a
signed link in the mail) or after a chat ends (from the chat widget)."""
