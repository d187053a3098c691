package io.sentinel.common.audit;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Refuses to start when the role the service runs as could rewrite its own audit log: when it owns
 * {@code audit_entry} (and so could disable or drop its triggers), or may delete or truncate it.
 * That happens when DB_USERNAME and DB_MIGRATION_USERNAME name the same role, or the role is a
 * superuser. Checked at start-up against the database itself, not against the names configured.
 */
@ApplicationScoped
public class AuditDatabaseRoles {
    void check(@Observes StartupEvent start, Pool pool,
            @ConfigProperty(name = "sentinel.audit.require-separate-migration-role") boolean required) {
        if (!required) {
            return;
        }
        Row r = pool.query("""
                select current_user as me,
                       (select rolsuper from pg_roles where rolname = current_user) as superuser,
                       pg_has_role(current_user, (select relowner from pg_class where oid = 'audit_entry'::regclass), 'USAGE') as owns,
                       has_table_privilege('audit_entry', 'DELETE') or has_table_privilege('audit_entry', 'TRUNCATE') as erases""")
                .execute().await().atMost(Duration.ofSeconds(30)).iterator().next();
        if (r.getBoolean("superuser") || r.getBoolean("owns") || r.getBoolean("erases")) {
            throw new IllegalStateException("the database role '" + r.getString("me") + "' (DB_USERNAME) could rewrite the audit log: "
                    + (r.getBoolean("superuser") ? "it is a superuser" : r.getBoolean("owns") ? "it owns audit_entry" : "it may delete from it")
                    + ". Run the service as a role without those rights and migrations as another (DB_MIGRATION_USERNAME).");
        }
    }
}
