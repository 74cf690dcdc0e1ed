"""docker-compose v1.29's own loader over many projects in one process (a process per project costs ~2 s).

Reads a JSON list of {"dir", "files", "envFile"} on stdin and prints a JSON list of
{"config": <the YAML `docker-compose config` prints>} or {"error": <its message>}, in order.
It calls the same functions as `docker-compose --project-directory DIR -f A -f B config`.
"""
import json
import logging
import sys

import compose.config.config as compose_config
from compose.cli.command import get_config_from_options
from compose.config.serialize import serialize_config

# Fixtures and corpus trees keep only the files arena-lint reads, not whole build contexts; v1.29
# refuses a build path that does not exist, a check about the machine, not about what the project means.
compose_config.validate_paths = lambda service_dict: None

logging.disable(logging.CRITICAL)
out = []
for p in json.load(sys.stdin):
    options = {'--file': p['files'], '--project-directory': p['dir']}
    if p.get('envFile'):
        options['--env-file'] = p['envFile']
    try:
        out.append({'config': serialize_config(get_config_from_options(p['dir'], options))})
    except BaseException as e:  # ConfigurationError, yaml errors, SystemExit from the CLI helpers
        msg = getattr(e, 'msg', None) or str(e) or type(e).__name__
        out.append({'error': ' '.join(str(msg).split())[:300]})
json.dump(out, sys.stdout)
