package dev.strata.history;

import dev.strata.registry.ImageRef;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.Repository;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One row of the history: a layer and the image it was indexed for.
 *
 * @param layerDigest the layer blob's digest, e.g. {@code sha256:…}; the key
 * @param imageRef the image reference as strata normalized it, e.g. {@code
 *     docker.io/library/alpine:3.20}
 * @param registry e.g. {@code docker.io}; {@code null} when unknown (rows of an older schema)
 * @param owner the repository's namespace: {@code library} for {@code docker.io/library/alpine},
 *     {@code org/team} for {@code ghcr.io/org/team/tool}, empty for {@code 127.0.0.1:5000/app}
 * @param repo the repository's last path component, e.g. {@code alpine}
 * @param tag the tag, empty when the image was pinned by digest only
 * @param layerIndex position in the manifest, 0 for the base layer; {@code null} when unknown (rows
 *     of an older schema)
 * @param layerSize compressed bytes
 * @param mediaType the layer's media type, or {@code null}
 * @param diffId sha256 of the uncompressed tar, or {@code null}
 * @param entries files, directories and links in the layer's index, or {@code null}
 * @param spans spans of the layer's index, or {@code null}
 * @param indexBytes size of the stored layer index, or {@code null}
 * @param scrapedAt when the layer was recorded, to the millisecond
 */
public record LayerRecord(
    String layerDigest,
    String imageRef,
    String registry,
    String owner,
    String repo,
    String tag,
    Integer layerIndex,
    long layerSize,
    String mediaType,
    String diffId,
    Long entries,
    Long spans,
    Long indexBytes,
    Instant scrapedAt) {

  public LayerRecord {
    Objects.requireNonNull(layerDigest, "layerDigest");
    Objects.requireNonNull(imageRef, "imageRef");
    Objects.requireNonNull(scrapedAt, "scrapedAt");
    owner = owner == null ? "" : owner;
    repo = repo == null ? "" : repo;
    tag = tag == null ? "" : tag;
    scrapedAt = scrapedAt.truncatedTo(ChronoUnit.MILLIS);
  }

  /** The row for {@code layer} of {@code image}, recorded at {@code scrapedAt}; no index stats. */
  public static LayerRecord of(ImageRef image, LayerDescriptor layer, Instant scrapedAt) {
    Repository repository = image.repository();
    return new LayerRecord(
        layer.digest().toString(),
        image.toString(),
        repository.registry(),
        repository.owner(),
        repository.shortName(),
        image.tag(),
        layer.index(),
        layer.size(),
        layer.mediaType(),
        layer.diffId() == null ? null : layer.diffId().toString(),
        null,
        null,
        null,
        scrapedAt);
  }

  /** This row with the statistics of the layer's index. */
  public LayerRecord withIndexStats(long entryCount, long spanCount, long storedIndexBytes) {
    return new LayerRecord(
        layerDigest,
        imageRef,
        registry,
        owner,
        repo,
        tag,
        layerIndex,
        layerSize,
        mediaType,
        diffId,
        entryCount,
        spanCount,
        storedIndexBytes,
        scrapedAt);
  }
}
