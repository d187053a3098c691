package io.sentinel.common.security;

/** The roles a Sentinel token can carry in its {@code groups} claim. */
public final class Roles {
    /** Agency staff who manage subjects, orders and devices. */
    public static final String CASEWORKER = "caseworker";
    /** People who decide on check-ins the face algorithm did not clearly pass. */
    public static final String REVIEWER = "reviewer";
    /** Another agency reading what it has been granted. */
    public static final String PARTNER = "partner";
    /** Gateways that relay device reports (fixes, check-in photos). */
    public static final String DEVICE_GATEWAY = "device-gateway";
    /** Auditors who read the audit trail. */
    public static final String AUDITOR = "auditor";
    /** Administrators of one agency: its retention, purges, devices' set-up; they act on their own agency only. */
    public static final String ADMIN = "admin";
    /**
     * The operators of the platform itself, who register agencies. No agency's admin can; a
     * platform admin reads no subject's data.
     */
    public static final String PLATFORM_ADMIN = "platform-admin";
    /** Another Sentinel service of the same deployment. */
    public static final String SERVICE = "service";

    /** The token claim naming the caller's agency. */
    public static final String AGENCY_CLAIM = "agency";

    private Roles() {
    }
}
