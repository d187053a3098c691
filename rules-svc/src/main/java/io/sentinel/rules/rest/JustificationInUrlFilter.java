package io.sentinel.rules.rest;

import java.util.List;
import java.util.Locale;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;

/**
 * Refuses a purpose, reference or grant sent in the URL: URLs land in proxy and access logs, so the
 * justification of a read travels only in the X-Sentinel-Purpose, X-Sentinel-Reference and
 * X-Sentinel-Grant headers. A request that puts one in the query string is refused with 400 saying
 * which header to use, rather than silently read without it.
 */
public class JustificationInUrlFilter {
    private static final List<String[]> MISPLACED = List.of(
            new String[] { "purpose", Justification.PURPOSE }, new String[] { Justification.PURPOSE, Justification.PURPOSE },
            new String[] { "reference", Justification.REFERENCE }, new String[] { Justification.REFERENCE, Justification.REFERENCE },
            new String[] { "grant", Justification.GRANT }, new String[] { "grantid", Justification.GRANT },
            new String[] { "grant_id", Justification.GRANT }, new String[] { Justification.GRANT, Justification.GRANT });

    @ServerRequestFilter(preMatching = true)
    public void refuseJustificationInUrl(ContainerRequestContext request) {
        for (String name : request.getUriInfo().getQueryParameters().keySet()) {
            String n = name.toLowerCase(Locale.ROOT);
            for (String[] m : MISPLACED) {
                if (m[0].equals(n)) {
                    throw SentinelException.invalid(name, "is not accepted in the URL, where proxies and access logs would keep it: send it"
                            + " as the HTTP header " + m[1]);
                }
            }
        }
    }
}
