package dev.strata.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.registry.auth.CredentialSource;
import dev.strata.registry.auth.TokenCache;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;

/**
 * The OCI distribution API: manifests of every common kind, verified blobs and byte ranges,
 * listings, and pushes. Every full blob or manifest read is verified against its digest.
 */
public final class RegistryClient implements AutoCloseable {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(RegistryClient.class);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_MANIFEST_BYTES = 4L << 20;
  private static final long MAX_CONFIG_BYTES = 64L << 20;
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
  private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");

  private final OkHttpClient okHttp;
  private final RegistryHttp http;
  private final long monolithicUploadMax;
  private final long uploadChunkSize;
  private final int pageSize;
  private final BlobCache blobCache;
  private final Map<String, List<String>> mirrors;

  private RegistryClient(Builder builder) {
    this.okHttp =
        new OkHttpClient.Builder()
            .connectTimeout(builder.connectTimeout)
            .readTimeout(builder.readTimeout)
            .writeTimeout(builder.readTimeout)
            .retryOnConnectionFailure(false) // RegistryHttp retries, and counts it
            .followRedirects(true)
            .addNetworkInterceptor(
                chain ->
                    chain.proceed(
                        chain
                            .request()
                            .newBuilder()
                            .header("User-Agent", builder.userAgent)
                            .build()))
            .build();
    this.http =
        new RegistryHttp(
            okHttp,
            builder.credentials,
            builder.retry,
            builder.sleeper,
            builder.insecureRegistries,
            new TokenCache(builder.clock));
    this.monolithicUploadMax = builder.monolithicUploadMax;
    this.uploadChunkSize = builder.uploadChunkSize;
    this.pageSize = builder.pageSize;
    this.blobCache = builder.blobCache;
    this.mirrors = builder.mirrors;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Checks that {@code registry} speaks the distribution API and lets us in. */
  public void ping(String registry) throws IOException {
    Request request = new Request.Builder().url(http.url(registry, "/v2/")).get().build();
    try (Response response = http.send(registry, Scope.CATALOG, request, true)) {
      if (!response.isSuccessful()) {
        throw failure(registry, "API check", response);
      }
    }
  }

  // ---- manifests ----

  /**
   * Fetches a manifest by tag or digest and verifies it: against the digest when asked by digest,
   * else against the {@code Docker-Content-Digest} the registry announced.
   */
  public FetchedManifest fetchManifest(Repository repo, String reference) throws IOException {
    return viaMirrors(repo, from -> fetchManifestFrom(from, reference));
  }

  /** An operation on a repository, tried on each mirror of its registry and then on it. */
  @FunctionalInterface
  private interface Pull<T> {
    T from(Repository repo) throws IOException;
  }

  /**
   * Pulls through the registry's mirrors first, in order, then from the registry itself. A mirror
   * that fails (down, missing the content, refusing) costs a log line and the next try; what a
   * mirror serves is verified like what the registry serves.
   */
  private <T> T viaMirrors(Repository repo, Pull<T> pull) throws IOException {
    for (String mirror : mirrors.getOrDefault(repo.registry(), List.of())) {
      try {
        return pull.from(new Repository(mirror, repo.name()));
      } catch (IOException e) {
        log.info(
            "mirror {} of {} failed: {}; trying the next", mirror, repo.registry(), e.getMessage());
      }
    }
    return pull.from(repo);
  }

  private FetchedManifest fetchManifestFrom(Repository repo, String reference) throws IOException {
    String what = "manifest " + repo + (reference.contains(":") ? "@" : ":") + reference;
    Request request =
        new Request.Builder()
            .url(http.url(repo.registry(), "/v2/" + repo.name() + "/manifests/" + reference))
            .header("Accept", MediaTypes.MANIFEST_ACCEPT)
            .get()
            .build();
    DigestMismatchException mismatch = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      try (Response response = http.send(repo.registry(), Scope.pull(repo), request, true)) {
        if (!response.isSuccessful()) {
          throw failure(repo.registry(), what, response);
        }
        byte[] body = readCapped(response, MAX_MANIFEST_BYTES, what);
        Digest expected =
            reference.contains(":")
                ? Digest.parse(reference)
                : announcedDigest(response.header("Docker-Content-Digest"), body);
        Digest actual = expected.sameAlgorithm(hashOf(expected, body));
        if (!actual.equals(expected)) {
          mismatch = new DigestMismatchException(what, expected, actual);
          continue; // a corrupted transfer: fetch once more before giving up
        }
        ManifestDocument document =
            ManifestDocument.parse(body, response.header("Content-Type"), what);
        return new FetchedManifest(body, actual, document);
      }
    }
    throw Objects.requireNonNull(mismatch);
  }

  private static Digest announcedDigest(String header, byte[] body) {
    if (header != null) {
      try {
        return Digest.parse(header.strip());
      } catch (IllegalArgumentException e) {
        // an unusable header: fall back to what we computed
      }
    }
    return Digest.sha256(body);
  }

  private static java.security.MessageDigest hashOf(Digest algorithm, byte[] body) {
    java.security.MessageDigest hasher = algorithm.newHasher();
    hasher.update(body);
    return hasher;
  }

  /**
   * Resolves a reference to one image: follows an index to the manifest for {@code platform},
   * fetches the config and pairs each layer with its diff ID.
   */
  public ImageManifest resolve(ImageRef ref, Platform platform) throws IOException {
    Repository repo = ref.repository();
    FetchedManifest top = fetchManifest(repo, ref.manifestReference());
    Digest indexDigest = null;
    FetchedManifest chosen = top;
    Platform chosenPlatform = null;
    if (top.document() instanceof ManifestDocument.Index index) {
      Descriptor pick = choosePlatform(ref, index, platform);
      indexDigest = top.digest();
      chosenPlatform = pick.platform();
      chosen = fetchManifest(repo, pick.digest().toString());
      if (!(chosen.document() instanceof ManifestDocument.Image)) {
        throw new UnsupportedManifestException(
            ref + ": the " + platform + " entry of the index is not an image manifest");
      }
    }
    ManifestDocument.Image image = (ManifestDocument.Image) chosen.document();
    Digest configDigest = image.config().digest();
    String configWhat = "config " + configDigest.shortHex() + " of " + ref;
    ImageConfig config = ImageConfig.parse(configBytes(repo, configDigest), configWhat);
    if (config.diffIds().size() != image.layers().size()) {
      throw new UnsupportedManifestException(
          ref
              + ": the manifest lists "
              + image.layers().size()
              + " layers but the config lists "
              + config.diffIds().size()
              + " diff IDs");
    }
    List<LayerDescriptor> layers = new ArrayList<>();
    for (int i = 0; i < image.layers().size(); i++) {
      Descriptor layer = image.layers().get(i);
      layers.add(
          new LayerDescriptor(
              i, layer.mediaType(), layer.digest(), layer.size(), config.diffIds().get(i)));
    }
    return new ImageManifest(
        ref.withDigest(chosen.digest()),
        indexDigest,
        chosen.digest(),
        image.mediaType(),
        chosenPlatform != null ? chosenPlatform : config.platform(),
        configDigest,
        layers);
  }

  private static Descriptor choosePlatform(
      ImageRef ref, ManifestDocument.Index index, Platform wanted)
      throws UnsupportedManifestException {
    return index.manifests().stream()
        .filter(d -> d.platform() != null && wanted.rank(d.platform()) >= 0)
        .min(Comparator.comparingInt(d -> wanted.rank(d.platform())))
        .orElseThrow(
            () ->
                new UnsupportedManifestException(
                    ref
                        + " has no image for platform "
                        + wanted
                        + "; available: "
                        + index.manifests().stream()
                            .filter(d -> d.platform() != null)
                            .map(d -> d.platform().toString())
                            .distinct()
                            .collect(Collectors.joining(", "))
                        + " (choose one with --platform)"));
  }

  // ---- blobs ----

  /** A config blob: from the local blob cache when there is one, else fetched and kept. */
  private byte[] configBytes(Repository repo, Digest digest) throws IOException {
    if (blobCache != null) {
      java.util.Optional<byte[]> cached = blobCache.get(digest);
      if (cached.isPresent()) {
        return cached.get();
      }
    }
    byte[] bytes = fetchBlobBytes(repo, digest, MAX_CONFIG_BYTES);
    if (blobCache != null) {
      blobCache.put(digest, bytes);
    }
    return bytes;
  }

  /** A small blob (a config), whole in memory and verified; refuses more than {@code maxBytes}. */
  public byte[] fetchBlobBytes(Repository repo, Digest digest, long maxBytes) throws IOException {
    DigestMismatchException mismatch = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      try (InputStream in = openBlob(repo, digest, -1)) {
        byte[] body = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
        if (body.length > maxBytes) {
          throw new RegistryException(
              "blob " + digest + " in " + repo + " is larger than " + maxBytes + " bytes");
        }
        if (in.read() >= 0) {
          throw new IllegalStateException("unreachable: stream longer than its read");
        }
        return body;
      } catch (DigestMismatchException e) {
        mismatch = e;
      }
    }
    throw mismatch;
  }

  /**
   * The whole blob as a stream that resumes a broken transfer with a Range request and fails at end
   * of stream unless the bytes hash to {@code digest}.
   *
   * @param size the blob's size if known (from its descriptor), else -1
   */
  public InputStream openBlob(Repository repo, Digest digest, long size) throws IOException {
    String what = "blob " + digest + " in " + repo;
    InputStream resuming =
        new ResumingInputStream(
            position -> openBlobAt(repo, digest, position, -1, what),
            0,
            size,
            http.retryPolicy().maxRetries(),
            what);
    return new VerifyingInputStream(resuming, digest, size, what);
  }

  /**
   * Exactly {@code length} bytes of a blob from {@code offset}, resuming broken transfers. Not
   * verified: a range cannot be checked against the blob digest; callers verify what they know
   * (span digests).
   */
  public InputStream openBlobRange(Repository repo, Digest digest, long offset, long length)
      throws IOException {
    if (offset < 0 || length <= 0) {
      throw new IllegalArgumentException("bad range offset=" + offset + " length=" + length);
    }
    String what =
        "blob " + digest + " in " + repo + " bytes " + offset + "-" + (offset + length - 1);
    return new ResumingInputStream(
        position -> openBlobAt(repo, digest, position, offset + length, what),
        offset,
        offset + length,
        http.retryPolicy().maxRetries(),
        what);
  }

  /** One GET of the blob from {@code position} to {@code end} (exclusive; -1: to the end). */
  private InputStream openBlobAt(
      Repository repo, Digest digest, long position, long end, String what) throws IOException {
    return viaMirrors(repo, from -> openBlobAtFrom(from, digest, position, end, what));
  }

  private InputStream openBlobAtFrom(
      Repository repo, Digest digest, long position, long end, String what) throws IOException {
    Request.Builder request =
        new Request.Builder()
            .url(http.url(repo.registry(), "/v2/" + repo.name() + "/blobs/" + digest))
            .get();
    boolean ranged = position > 0 || end >= 0;
    if (ranged) {
      request.header(
          "Range", "bytes=" + position + "-" + (end >= 0 ? String.valueOf(end - 1) : ""));
    }
    Response response = http.send(repo.registry(), Scope.pull(repo), request.build(), true);
    try {
      int code = response.code();
      if (code == 206) {
        long start = contentRangeStart(response.header("Content-Range"));
        if (start != position) {
          throw new RegistryException(
              what + ": asked for bytes from " + position + " but the registry sent from " + start);
        }
        return response.body().byteStream();
      }
      if (code == 200) {
        // The registry (or its storage) ignored Range: skip to the position ourselves.
        InputStream body = response.body().byteStream();
        body.skipNBytes(position);
        return body;
      }
      if (code == 416) {
        throw new RegistryResponseException(
            what
                + ": range not satisfiable (the registry says the blob has "
                + contentRangeTotal(response.header("Content-Range"))
                + " bytes)",
            416);
      }
      throw failure(repo.registry(), what, response);
    } catch (IOException | RuntimeException e) {
      response.close();
      throw e;
    }
  }

  private static long contentRangeStart(String header) throws RegistryException {
    Matcher m = header == null ? null : Pattern.compile("bytes (\\d+)-\\d+/.*").matcher(header);
    if (m == null || !m.matches()) {
      throw new RegistryException("a 206 answer with a malformed Content-Range: " + header);
    }
    return Long.parseLong(m.group(1));
  }

  private static String contentRangeTotal(String header) {
    if (header == null || !header.contains("/")) {
      return "an unknown number of";
    }
    return header.substring(header.indexOf('/') + 1);
  }

  /** Whether the repository has the blob (HEAD). */
  public boolean blobExists(Repository repo, Digest digest) throws IOException {
    Request request =
        new Request.Builder()
            .url(http.url(repo.registry(), "/v2/" + repo.name() + "/blobs/" + digest))
            .head()
            .build();
    try (Response response = http.send(repo.registry(), Scope.pull(repo), request, true)) {
      if (response.code() == 404) {
        return false;
      }
      if (!response.isSuccessful()) {
        throw failure(repo.registry(), "blob " + digest + " in " + repo, response);
      }
      return true;
    }
  }

  // ---- listings ----

  /** Every tag of a repository, following {@code Link} pagination. */
  public List<String> tags(Repository repo) throws IOException {
    return paginate(
        repo.registry(),
        Scope.pull(repo),
        http.url(repo.registry(), "/v2/" + repo.name() + "/tags/list?n=" + pageSize),
        "tags",
        "tags of " + repo);
  }

  /** Every repository of a registry, following {@code Link} pagination. */
  public List<String> catalog(String registry) throws IOException {
    return paginate(
        registry,
        Scope.CATALOG,
        http.url(registry, "/v2/_catalog?n=" + pageSize),
        "repositories",
        "catalog of " + registry);
  }

  private List<String> paginate(
      String registry, Scope scope, HttpUrl first, String field, String what) throws IOException {
    List<String> out = new ArrayList<>();
    HttpUrl url = first;
    Set<HttpUrl> seen = new java.util.HashSet<>();
    while (url != null && seen.add(url)) {
      Request request = new Request.Builder().url(url).get().build();
      try (Response response = http.send(registry, scope, request, true)) {
        if (!response.isSuccessful()) {
          throw failure(registry, what, response);
        }
        JsonNode body = JSON.readTree(readCapped(response, 64L << 20, what));
        for (JsonNode item : body.path(field)) {
          out.add(item.asText());
        }
        url = nextLink(response);
      }
    }
    return out;
  }

  private static HttpUrl nextLink(Response response) {
    for (String link : response.headers("Link")) {
      Matcher m = NEXT_LINK.matcher(link);
      if (m.find()) {
        return response.request().url().resolve(m.group(1));
      }
    }
    return null;
  }

  // ---- push ----

  /**
   * Uploads a blob unless the repository has it: one PUT for blobs up to the monolithic limit, else
   * a chunked upload (PATCH per chunk, then PUT). A failed upload starts a new upload session, up
   * to the retry limit.
   *
   * @return {@code false} when the blob was already there
   */
  public boolean uploadBlob(Repository repo, Digest digest, long size, BlobContent content)
      throws IOException {
    if (blobExists(repo, digest)) {
      return false;
    }
    int attempts = http.retryPolicy().maxRetries() + 1;
    for (int attempt = 1; ; attempt++) {
      try {
        HttpUrl location = startUpload(repo);
        if (size <= monolithicUploadMax) {
          finishUpload(repo, digest, location, body(content, 0, size));
        } else {
          for (long offset = 0; offset < size; offset += uploadChunkSize) {
            location =
                uploadChunk(
                    repo, location, content, offset, Math.min(uploadChunkSize, size - offset));
          }
          finishUpload(repo, digest, location, RequestBody.create(new byte[0], OCTET_STREAM));
        }
        return true;
      } catch (AuthenticationException e) {
        throw e;
      } catch (RegistryResponseException e) {
        if (e.status() < 500 || attempt >= attempts) {
          throw e;
        }
      } catch (IOException e) {
        if (attempt >= attempts) {
          throw e;
        }
      }
    }
  }

  private HttpUrl startUpload(Repository repo) throws IOException {
    Request request =
        new Request.Builder()
            .url(http.url(repo.registry(), "/v2/" + repo.name() + "/blobs/uploads/"))
            .post(RequestBody.create(new byte[0], null))
            .build();
    try (Response response = http.send(repo.registry(), Scope.push(repo), request, false)) {
      if (response.code() != 202) {
        throw failure(repo.registry(), "starting an upload to " + repo, response);
      }
      return location(response);
    }
  }

  private HttpUrl uploadChunk(
      Repository repo, HttpUrl location, BlobContent content, long offset, long length)
      throws IOException {
    Request request =
        new Request.Builder()
            .url(location)
            .header("Content-Range", offset + "-" + (offset + length - 1))
            .patch(body(content, offset, length))
            .build();
    try (Response response = http.send(repo.registry(), Scope.push(repo), request, false)) {
      if (response.code() != 202) {
        throw failure(repo.registry(), "uploading a chunk to " + repo, response);
      }
      return location(response);
    }
  }

  private void finishUpload(Repository repo, Digest digest, HttpUrl location, RequestBody body)
      throws IOException {
    HttpUrl url = location.newBuilder().addQueryParameter("digest", digest.toString()).build();
    Request request = new Request.Builder().url(url).put(body).build();
    try (Response response = http.send(repo.registry(), Scope.push(repo), request, false)) {
      if (response.code() != 201) {
        throw failure(
            repo.registry(), "finishing the upload of " + digest + " to " + repo, response);
      }
    }
  }

  private static HttpUrl location(Response response) throws RegistryException {
    String location = response.header("Location");
    HttpUrl url = location == null ? null : response.request().url().resolve(location);
    if (url == null) {
      throw new RegistryException("the registry started an upload without a usable Location");
    }
    return url;
  }

  private static RequestBody body(BlobContent content, long offset, long length) {
    return new RequestBody() {
      @Override
      public MediaType contentType() {
        return OCTET_STREAM;
      }

      @Override
      public long contentLength() {
        return length;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        try (Source source = Okio.source(content.open(offset, length))) {
          sink.writeAll(source);
        }
      }
    };
  }

  /** Puts a manifest under a tag or digest and returns its digest. */
  public Digest putManifest(Repository repo, String reference, String mediaType, byte[] body)
      throws IOException {
    Digest digest = Digest.sha256(body);
    Request request =
        new Request.Builder()
            .url(http.url(repo.registry(), "/v2/" + repo.name() + "/manifests/" + reference))
            .put(RequestBody.create(body, MediaType.get(mediaType)))
            .build();
    try (Response response = http.send(repo.registry(), Scope.push(repo), request, true)) {
      if (response.code() != 201 && response.code() != 200) {
        throw failure(repo.registry(), "putting manifest " + reference + " to " + repo, response);
      }
      String announced = response.header("Docker-Content-Digest");
      if (announced != null && !announced.strip().equals(digest.toString())) {
        throw new DigestMismatchException(
            "manifest " + reference + " in " + repo, digest, Digest.parse(announced.strip()));
      }
      return digest;
    }
  }

  // ---- helpers ----

  private static byte[] readCapped(Response response, long max, String what) throws IOException {
    try (InputStream in = response.body().byteStream()) {
      byte[] body = in.readNBytes((int) max + 1);
      if (body.length > max) {
        throw new RegistryException(what + ": larger than " + max + " bytes");
      }
      return body;
    }
  }

  private static RegistryResponseException failure(
      String registry, String what, Response response) {
    String errors = RegistryHttp.describeErrors(response);
    int code = response.code();
    String meaning =
        switch (code) {
          case 404 -> "not found";
          case 416 -> "range not satisfiable";
          default -> "HTTP " + code;
        };
    return new RegistryResponseException(
        what
            + ": registry "
            + registry
            + " answered "
            + meaning
            + (errors.isEmpty() ? "" : " (" + errors + ")"),
        code);
  }

  @Override
  public void close() {
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
  }

  /** Options with defaults for a command-line client. */
  public static final class Builder {
    private CredentialSource credentials = CredentialSource.none();
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private Sleeper sleeper = Sleeper.REAL;
    private Set<String> insecureRegistries = Set.of();
    private Clock clock = Clock.systemUTC();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private String userAgent = "strata";
    private long monolithicUploadMax = 16L << 20;
    private long uploadChunkSize = 16L << 20;
    private int pageSize = 1000;
    private BlobCache blobCache;
    private Map<String, List<String>> mirrors = Map.of();

    private Builder() {}

    public Builder credentials(CredentialSource source) {
      this.credentials = Objects.requireNonNull(source);
      return this;
    }

    public Builder retryPolicy(RetryPolicy policy) {
      this.retry = Objects.requireNonNull(policy);
      return this;
    }

    public Builder sleeper(Sleeper s) {
      this.sleeper = Objects.requireNonNull(s);
      return this;
    }

    public Builder insecureRegistries(Set<String> registries) {
      this.insecureRegistries = Set.copyOf(registries);
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    public Builder timeouts(Duration connect, Duration read) {
      this.connectTimeout = connect;
      this.readTimeout = read;
      return this;
    }

    public Builder userAgent(String agent) {
      this.userAgent = agent;
      return this;
    }

    /** Blobs up to {@code max} bytes are uploaded in one PUT; larger ones in chunks. */
    public Builder uploadSizes(long max, long chunkSize) {
      if (max < 0 || chunkSize <= 0) {
        throw new IllegalArgumentException("upload sizes must be positive");
      }
      this.monolithicUploadMax = max;
      this.uploadChunkSize = chunkSize;
      return this;
    }

    /**
     * Pull-through mirrors per registry host ({@code docker.io} for Docker Hub), tried in order
     * before the registry for manifests and blobs.
     */
    public Builder mirrors(Map<String, List<String>> mirrorsByRegistry) {
      this.mirrors = Map.copyOf(mirrorsByRegistry);
      return this;
    }

    /** Keeps image configs on local disk, so resolving again reads no blob. */
    public Builder blobCache(BlobCache cache) {
      this.blobCache = cache;
      return this;
    }

    /** Entries asked for per page of a listing; the registry may send fewer. */
    public Builder pageSize(int entries) {
      if (entries < 1) {
        throw new IllegalArgumentException("page size must be >= 1");
      }
      this.pageSize = entries;
      return this;
    }

    public RegistryClient build() {
      return new RegistryClient(this);
    }
  }
}
