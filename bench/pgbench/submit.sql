-- The ceiling for scenario (a): the writes an online submission (portal.services.submit →
-- dossiers.services.submit_online) makes for one dossier, as raw SQL in one transaction (read with
-- CaptureQueriesContext; see bench/README.md). bench/run creates bench_route (one row per route:
-- agency, procedure, process, receiving unit, the citizen in officer_id) and the two pgbench_audit_*
-- tables, copies of the audit trail's tables with the same indexes and the same single head row, so the
-- ceiling pays for the audit chain's serialisation without writing records that verify_audit_chain
-- would reject. What the ceiling does not do: the ~20 reads of reference data (one SELECT of bench_route
-- stands for them), the JSON Schema check, the upload checks and file writes (one row per component
-- stands for each file), HTTP, JSON and the ORM.
\set r random(1, :routes)
\set k random(1, 1000000000000)
BEGIN;
SELECT agency_id, procedure_id, officer_id FROM bench_route WHERE n = (:r)::int \gset
INSERT INTO portal_onlineapplication (applicant_id, idempotency_key, dossier_id, form_id, data, created_at)
VALUES (:officer_id, 'pgbench-' || :client_id || '-' || :k, NULL, NULL, '{}', now())
RETURNING id AS application_id \gset
INSERT INTO core_numbersequence (scope, period, last)
VALUES ('dossier:' || :agency_id, to_char(now() AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD'), 1)
ON CONFLICT (scope, period) DO UPDATE SET last = core_numbersequence.last + 1
RETURNING last AS seq \gset
INSERT INTO dossiers_dossier (
  code, procedure_id, agency_id, receiving_unit_id, process_id, rule_set_id, channel, status, applicant_name,
  applicant_identity, applicant_user_id, submitter_name, address, phone, email, matter, sets_count, submitted_at,
  received_at, clock_started_at, due_at, original_due_at, rescheduled, paused_at, paused_seconds, finished_at,
  returned_at, return_method, closed_reason, fee_amount, fee_paid_at, current_task_id, current_unit_id,
  current_assignee_id, received_by_id, version, created_at, updated_at)
SELECT r.agency_code || '-' || to_char(now() AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-' || lpad((:seq)::int::text, 4, '0'),
  r.procedure_id, r.agency_id, r.receiving_unit_id, r.process_id, r.rule_set_id, 2, 1, 'Nguyễn Văn Pgbench',
  '037090001234', r.officer_id, 'Nguyễn Văn Pgbench', 'Thôn Đông, tỉnh Sơn Nam', '0912345678', '',
  'Đề nghị giải quyết thủ tục (benchmark)', 1, now(), NULL, NULL, NULL, NULL, false, NULL, 0, NULL, NULL, '', '',
  r.fee, NULL, NULL, r.receiving_unit_id, NULL, NULL, 1, now(), now()
FROM bench_route r WHERE r.n = (:r)::int
RETURNING id AS dossier_id \gset
WITH components AS (
  INSERT INTO dossiers_dossiercomponent (dossier_id, procedure_component_id, "order", name, originals,
    certified_copies, photocopies, required, provided)
  SELECT :dossier_id::bigint, c.id, c."order", c.name, c.originals, c.certified_copies, c.photocopies, c.required, true
  FROM catalogue_procedurecomponent c WHERE c.procedure_id = (:procedure_id)::bigint
  RETURNING id)
INSERT INTO dossiers_dossierfile (component_id, file, original_name, content_type, size, sha256, uploaded_at,
  uploaded_by_id, reused, reused_from, supplement)
SELECT id, 'dossiers/pgbench/' || id::text || '-to-khai.pdf', 'to-khai.pdf', 'application/pdf', 329, repeat('0', 64),
  now(), :officer_id, false, '', false
FROM components;
INSERT INTO dossiers_dossierevent (dossier_id, at, action, from_status, to_status, actor_id, data)
VALUES (:dossier_id, now(), 'submit', NULL, 1, :officer_id, '{}');
SELECT last_seq, last_hash FROM pgbench_audit_head WHERE id = 1 FOR UPDATE \gset
INSERT INTO pgbench_audit_record (seq, at, actor_id, actor_repr, ip_address, channel, action, target_type, target_id,
  target_repr, before, after, prev_hash, hash)
VALUES ((:last_seq)::bigint + 1, now(), :officer_id, 'pgbench', '127.0.0.1', 'api', 'dossier.submit_online',
  'dossiers.dossier', :dossier_id::text, 'pgbench', NULL,
  jsonb_build_object('status', 1, 'dossier_id', :dossier_id::bigint),
  (:last_hash)::varchar, encode(sha256(((:last_hash::text || :dossier_id::text))::bytea), 'hex'))
RETURNING hash AS new_hash \gset
UPDATE pgbench_audit_head SET last_seq = (:last_seq)::bigint + 1, last_hash = (:new_hash)::varchar WHERE id = 1;
UPDATE portal_onlineapplication SET dossier_id = :dossier_id::bigint,
  data = '{"matter": "Đề nghị giải quyết thủ tục (benchmark)"}' WHERE id = :application_id::bigint;
SELECT count(*) FROM portal_personaldocument WHERE owner_id = :officer_id AND sha256 = repeat('0', 64);
INSERT INTO notifications_outboxmessage (created_at, kind, channel, recipient, subject, body, html_body, template_id,
  template_data, reference, status, attempts, next_attempt_at, last_error, sent_at, provider_message_id, idempotency_key)
VALUES (now(), 'dossier.submitted', 'sms', '+84912345678', '', 'Ho so da duoc nop truc tuyen (pgbench).', '', '',
  '{}', 'pgbench-' || :dossier_id::text, 'sent', 0, now(), '', now(), '', 'pgbench:' || :dossier_id::text);
COMMIT;
INSERT INTO django_tasks_database_dbtaskresult (id, status, enqueued_at, started_at, finished_at, args_kwargs, priority,
  task_path, worker_ids, queue_name, backend_name, run_after, return_value, exception_class_path, traceback)
VALUES (gen_random_uuid(), 'SUCCEEDED', now(), now(), now(), '{"args": [0], "kwargs": {}}', 0,
  'egov.notifications.tasks.deliver_message', '[]', 'default', 'default', now(), NULL, '', '');
