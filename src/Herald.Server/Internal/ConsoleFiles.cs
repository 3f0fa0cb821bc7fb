using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Herald.Server.Internal;

/// <summary>
/// Serves the console from resources embedded in this assembly (its own files and the npm packages the build restored),
/// so it works offline with no CDN. <c>/</c> is the page; <c>/console/...</c> its assets.
/// </summary>
internal static class ConsoleFiles
{
    private const string Prefix = "console/";

    // The page's own scripts and styles only; uPlot sets inline styles on the chart it draws.
    private const string ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, (byte[] Bytes, string ContentType, string ETag)> Files = Load();

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapMethods("/", ["GET", "HEAD"], (HttpContext http) => Serve(http, "index.html")).ExcludeFromDescription();
        app.MapMethods("/console/{**path}", ["GET", "HEAD"], (HttpContext http, string path) => Serve(http, path)).ExcludeFromDescription();
    }

    private static IResult Serve(HttpContext http, string path)
    {
        if (!Files.TryGetValue(path, out var file))
        {
            return Results.NotFound();
        }

        var headers = http.Response.Headers;
        headers.ETag = file.ETag;
        headers.CacheControl = "no-cache"; // revalidated by ETag, so a new server version is picked up at once
        headers.XContentTypeOptions = "nosniff";
        if (path == "index.html")
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
        }

        return http.Request.Headers.IfNoneMatch == file.ETag ? Results.StatusCode(StatusCodes.Status304NotModified) : Results.Bytes(file.Bytes, file.ContentType);
    }

    private static FrozenDictionary<string, (byte[], string, string)> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            files[name[Prefix.Length..]] = (bytes, ContentType(name), $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"");
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
