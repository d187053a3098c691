package io.sentinel.biometric.rest;

import java.util.Map;

import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;

/**
 * Refuses a purpose, reference or grant sent in the URL, where proxies and access logs would keep
 * it: they travel only as the {@code X-Sentinel-*} headers. A 400 names the parameter and the header.
 */
public class JustificationNotInUrl {
    private static final Map<String, String> HEADERS = Map.of("purpose", Justification.PURPOSE, "reference", Justification.REFERENCE,
            "grant", Justification.GRANT);

    @ServerRequestFilter
    public void refuseJustificationInQuery(UriInfo uri) {
        for (String name : uri.getQueryParameters().keySet()) {
            String key = name.toLowerCase(java.util.Locale.ROOT);
            String header = HEADERS.get(key.startsWith("x-sentinel-") ? key.substring("x-sentinel-".length()) : key);
            if (header != null) {
                throw SentinelException.invalid(name, "must not be sent in the URL, where proxies and access logs keep it: send it as the "
                        + header + " HTTP header");
            }
        }
    }
}
