"""The Word review copy for delegates."""
