#!/bin/sh
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d).
#
# One server, one database and one login role per relational service, each role owning
# only its own database and PUBLIC connecting to none: a service cannot read another's
# tables even by mistake (DESIGN.md: no service reads another's tables). Production gives
# each service its own managed PostgreSQL instead; the URLs change, the code does not.
set -eu

SERVICES="catalog shop order"

password_of() {
    printenv "$(echo "$1" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD" || true
}

# Every password first: a half-initialised server would not be initialised again.
for service in $SERVICES; do
    if [ -z "$(password_of "$service")" ]; then
        echo "init-databases: $(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD is not set" >&2
        exit 1
    fi
done

for service in $SERVICES; do
    # psql variables quote the names (:"name", "order" is a keyword) and the password (:'pw').
    psql --set ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
         --set name="$service" --set pw="$(password_of "$service")" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'pw';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
