package io.sentinel.common.security;

import java.util.Set;

/** The names of Sentinel's services: their service tokens' subjects and audiences, and their certificates' names. */
public final class Services {
    public static final String ENROLLMENT = "enrollment-svc";
    public static final String BIOMETRIC = "biometric-svc";
    public static final String LOCATION = "location-svc";
    public static final String RULES = "rules-svc";

    public static final Set<String> ALL = Set.of(ENROLLMENT, BIOMETRIC, LOCATION, RULES);

    private Services() {
    }
}
