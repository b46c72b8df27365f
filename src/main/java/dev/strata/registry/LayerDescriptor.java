package dev.strata.registry;

/**
 * One layer of an image: its blob ({@code digest}, compressed {@code size}, {@code mediaType}) and
 * the {@code diffId} the image config lists for it, the sha256 of its uncompressed tar.
 *
 * @param index position in the manifest, 0 for the base layer
 */
public record LayerDescriptor(
    int index, String mediaType, Digest digest, long size, Digest diffId) {}
