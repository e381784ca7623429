from guestbook import app
