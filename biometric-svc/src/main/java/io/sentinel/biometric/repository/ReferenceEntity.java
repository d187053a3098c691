package io.sentinel.biometric.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A reference image an agency enrolled for a subject. */
@Entity
@Table(name = "reference_image")
public class ReferenceEntity {
    @Id
    @Column(name = "reference_id")
    public UUID referenceId;
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "content_type")
    public String contentType;
    public byte[] image;
    @Column(name = "model_id")
    public String modelId;
    /** AES-256-GCM encrypted face template (nonce || ciphertext). */
    public byte[] template;
    @Column(name = "created_at")
    public Instant createdAt;
    /** When the source image was deleted after the retention period; null while it is held. */
    @Column(name = "image_deleted_at")
    public Instant imageDeletedAt;
}
