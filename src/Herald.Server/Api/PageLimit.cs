namespace Herald.Server.Api;

/// <summary>The <c>limit</c> query parameter of the list and read endpoints: a default, and 1 to 1,000.</summary>
internal static class PageLimit
{
    private const int Max = 1000;

    public static int Of(int? limit, int defaultValue) =>
        limit is null ? defaultValue
        : limit is >= 1 and <= Max ? limit.Value
        : throw ApiException.BadRequest($"limit must be between 1 and {Max}; it is {limit}.");
}
