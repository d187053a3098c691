package io.sentinel.common.audit;

import java.util.Locale;
import java.util.Map;

import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.sentinel.common.error.SentinelException;

/**
 * Refuses a purpose, reference or grant sent as a query parameter, in every service: they travel
 * only as the {@code X-Sentinel-Purpose}, {@code X-Sentinel-Reference} and {@code X-Sentinel-Grant}
 * headers, because URLs land in proxy and access logs and these often name a case. The request is
 * refused with 400 naming the header to use, rather than read without its justification.
 */
public class JustificationNotInUrl {
    private static final Map<String, String> HEADERS = Map.of("purpose", Justification.PURPOSE, "reference", Justification.REFERENCE,
            "grant", Justification.GRANT, "grantid", Justification.GRANT, "grant_id", Justification.GRANT);

    @ServerRequestFilter(preMatching = true)
    public void refuseJustificationInQuery(UriInfo uri) {
        for (String name : uri.getQueryParameters().keySet()) {
            String key = name.toLowerCase(Locale.ROOT);
            String header = HEADERS.get(key.startsWith("x-sentinel-") ? key.substring("x-sentinel-".length()) : key);
            if (header != null) {
                throw SentinelException.invalid(name, "must not be sent in the URL, where proxies and access logs keep it: send it as the "
                        + header + " HTTP header");
            }
        }
    }
}
