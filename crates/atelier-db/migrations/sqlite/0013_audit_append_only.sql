-- The audit log is append-only (issue 19, SEC2): no row can be deleted, and a row can change
-- only as account erasure changes it — its subject cleared, its actor replaced by
-- `deleted-account` — so no staff member, script or bug can edit what staff did.
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_edit BEFORE UPDATE ON audit_log
WHEN NEW.id IS NOT OLD.id
  OR NEW.action IS NOT OLD.action
  OR NEW.detail IS NOT OLD.detail
  OR NEW.created_at IS NOT OLD.created_at
  OR (NEW.subject_user_id IS NOT OLD.subject_user_id AND NEW.subject_user_id IS NOT NULL)
  OR (NEW.actor IS NOT OLD.actor AND NEW.actor IS NOT 'deleted-account')
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
