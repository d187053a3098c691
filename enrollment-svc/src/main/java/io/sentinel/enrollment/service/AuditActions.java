package io.sentinel.enrollment.service;

/** The action names enrollment-svc records in its audit log, as "<resource>.<verb>". */
public final class AuditActions {
    public static final String SUBJECT_CREATE = "subject.create";
    public static final String SUBJECT_READ = "subject.read";
    public static final String SUBJECT_LIST = "subject.list";
    public static final String SUBJECT_SEARCH = "subject.search";
    public static final String SUBJECT_EXPORT = "subject.export";
    public static final String SUBJECT_PURGE = "subject.purge";
    public static final String ORDER_CREATE = "order.create";
    public static final String ORDER_READ = "order.read";
    public static final String ORDER_LIST = "order.list";
    public static final String ORDER_AMEND = "order.amend";
    public static final String ORDER_END = "order.end";
    /** The expiry job ended an order whose window closed. */
    public static final String ORDER_EXPIRE = "order.expire";
    public static final String ORDER_REVIEW = "order.review";
    public static final String ORDER_OVERDUE_LIST = "order.list-overdue-reviews";
    public static final String ORDER_REVIEW_OVERDUE_RAISED = "order.review-overdue-raised";
    public static final String DEVICE_REGISTER = "device.register";
    public static final String DEVICE_READ = "device.read";
    public static final String DEVICE_LIST = "device.list";
    public static final String DEVICE_ASSIGN = "device.assign";
    public static final String DEVICE_UNASSIGN = "device.unassign";
    public static final String DEVICE_SET_GATEWAYS = "device.set-gateways";
    public static final String GRANT_CREATE = "grant.create";
    public static final String GRANT_REVOKE = "grant.revoke";
    public static final String GRANT_LIST = "grant.list";
    public static final String PRIVACY_NOTICE_READ = "privacy-notice.read";
    public static final String RETENTION_SET_POLICY = "retention.set-policy";
    public static final String RETENTION_PURGE = "retention.purge";

    private AuditActions() {
    }
}
