-- One database per service: each service owns its schema and migrations.
CREATE DATABASE monitoring;
CREATE DATABASE warning;
CREATE DATABASE collections;
CREATE DATABASE crm;
CREATE DATABASE reporting;
