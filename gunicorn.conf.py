# gunicorn reads this file from the directory it starts in when no -c is given: every
# gunicorn started from the repository gets the platform's logs and multiprocess metrics.
from shared.gunicorn_conf import *  # noqa: F401,F403
