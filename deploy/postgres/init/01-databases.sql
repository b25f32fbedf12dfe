-- Runs once, when the postgres container initialises an empty data directory.
-- One database per PostgreSQL-backed service; each service owns its schema via its migrations.
CREATE DATABASE auth;
CREATE DATABASE publishing;
CREATE DATABASE inbox;
