namespace Herald.Cli;

/// <summary>How lists and records are printed.</summary>
internal enum OutputFormat
{
    Text,
    Json,
}
