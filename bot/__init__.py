"""numbot: a Webex bot that checks Webex Calling phone numbers for admins."""
