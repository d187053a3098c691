package io.sentinel.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Signing keys made for the test run, never committed: the "trusted" pair the services verify
 * people's tokens with (the identity provider's), a "stranger" pair nobody trusts, and one pair
 * per service for service tokens (public halves in {@link #peerKeysDir()} as {@code <service>.pem}).
 * Written to files so the test resource (one class loader) and the tests (another) see the same keys.
 */
public final class TestKeys {
    private TestKeys() {
    }

    public static Path dir() {
        String configured = System.getProperty("sentinel.test.keys.dir");
        Path d = configured != null ? Path.of(configured) : Path.of(System.getProperty("user.dir"), "target", "sentinel-test-keys");
        ensure(d, "trusted");
        ensure(d, "stranger");
        for (String service : SERVICES) {
            ensure(d, service);
        }
        return d;
    }

    static final java.util.List<String> SERVICES = java.util.List.of("enrollment-svc", "biometric-svc", "location-svc", "rules-svc");

    /** A directory holding each service's public token key as {@code <service>.pem}. */
    public static Path peerKeysDir() {
        Path d = dir();
        Path peers = d.resolve("peers");
        try {
            Files.createDirectories(peers);
            for (String service : SERVICES) {
                Path target = peers.resolve(service + ".pem");
                if (!Files.exists(target)) {
                    writeAtomically(target, Files.readString(d.resolve(service + "-public.pem")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return peers;
    }

    /** The key of the audit chain (32 random bytes, base64), one per test run like the others. */
    public static Path auditKey() {
        Path key = dir().resolve("audit.key");
        if (!Files.exists(key)) {
            byte[] bytes = new byte[32];
            new java.security.SecureRandom().nextBytes(bytes);
            try {
                writeAtomically(key, Base64.getEncoder().encodeToString(bytes) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return key;
    }

    /** The private key a service signs its service tokens with. */
    public static Path servicePrivateKey(String service) {
        return dir().resolve(service + "-private.pem");
    }

    public static PrivateKey service(String service) {
        return load(servicePrivateKey(service));
    }

    public static Path trustedPublicKey() {
        return dir().resolve("trusted-public.pem");
    }

    public static Path trustedPrivateKey() {
        return dir().resolve("trusted-private.pem");
    }

    public static PrivateKey trusted() {
        return load(dir().resolve("trusted-private.pem"));
    }

    public static PrivateKey stranger() {
        return load(dir().resolve("stranger-private.pem"));
    }

    private static synchronized void ensure(Path dir, String name) {
        Path priv = dir.resolve(name + "-private.pem");
        Path pub = dir.resolve(name + "-public.pem");
        if (Files.exists(priv) && Files.exists(pub)) {
            return;
        }
        try {
            Files.createDirectories(dir);
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair kp = gen.generateKeyPair();
            writeAtomically(pub, pem("PUBLIC KEY", kp.getPublic().getEncoded()));
            writeAtomically(priv, pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static PrivateKey load(Path pem) {
        try {
            String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pem, e);
        }
    }
}
