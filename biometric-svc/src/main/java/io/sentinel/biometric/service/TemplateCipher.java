package io.sentinel.biometric.service;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Encrypts face templates at rest with AES-256-GCM. The subject id and model id are bound as
 * associated data, so a template moved to another subject or read as another model fails to
 * decrypt instead of silently matching.
 */
@ApplicationScoped
public class TemplateCipher {
    private static final int NONCE_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    public TemplateCipher(@ConfigProperty(name = "sentinel.biometric.template-key") String base64Key) {
        byte[] k = Base64.getDecoder().decode(base64Key.trim());
        if (k.length != 32) {
            throw new IllegalArgumentException("sentinel.biometric.template-key must be 32 bytes (base64), got " + k.length);
        }
        this.key = new SecretKeySpec(k, "AES");
    }

    public byte[] encrypt(float[] template, String subjectId, String modelId) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(aad(subjectId, modelId));
            ByteBuffer plain = ByteBuffer.allocate(template.length * 4);
            plain.asFloatBuffer().put(template);
            byte[] sealed = c.doFinal(plain.array());
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("template encryption failed", e);
        }
    }

    public float[] decrypt(byte[] stored, String subjectId, String modelId) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, stored, 0, NONCE_BYTES));
            c.updateAAD(aad(subjectId, modelId));
            byte[] plain = c.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES);
            float[] out = new float[plain.length / 4];
            ByteBuffer.wrap(plain).asFloatBuffer().get(out);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored template failed authentication (wrong key, subject or model)", e);
        }
    }

    private static byte[] aad(String subjectId, String modelId) {
        return (subjectId + "|" + modelId).getBytes(StandardCharsets.UTF_8);
    }
}
