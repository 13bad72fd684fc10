using System.Buffers.Text;
using System.Text;

namespace Chronicle.Fhir.Search;

/// <summary>
/// The opaque <c>_cursor</c> of a next link: the sort key of the last entry on the page, so the next page starts
/// strictly after it (keyset paging). Unlike an offset, it does not shift when resources are added meanwhile.
/// </summary>
public static class PageCursor
{
    private const char Separator = '\n';

    public static string Encode(params IReadOnlyList<string> keyParts)
    {
        if (keyParts.Any(p => p.Contains(Separator, StringComparison.Ordinal)))
            throw new ArgumentException("Cursor key parts must not contain line breaks.", nameof(keyParts));
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join(Separator, keyParts)));
    }

    /// <exception cref="FhirException">400 when the cursor was not made by <see cref="Encode"/> with <paramref name="expectedParts"/> parts.</exception>
    public static IReadOnlyList<string> Decode(string cursor, int expectedParts)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(Separator);
            if (parts.Length == expectedParts)
                return parts;
        }
        catch (FormatException)
        {
        }

        throw FhirException.BadRequest($"'{SearchRequestParser.CursorParameter}' is not a cursor this server issued; follow the 'next' link as given.");
    }
}
