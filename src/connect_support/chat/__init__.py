"""Live chat: conversations over WebSockets, their messages and sequence numbers, routing
to agents, availability (agents and business hours), idle closing, transcripts, and
turning a chat into an email case. The wire protocol is in ``docs/chat-protocol.md``."""
