namespace Herald.Server.Api;

/// <summary>A record header; its value is UTF-8 text or base64, as <c>encoding</c> says, or null.</summary>
public sealed record HeaderJson(string Name, string? Value, string Encoding);
