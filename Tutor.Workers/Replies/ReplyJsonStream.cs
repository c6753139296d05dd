using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tutor.Workers.Replies;

/// <summary>
/// Reads the <c>reply</c> string out of the model's JSON answer while it is still streaming, so the first sentence can
/// be spoken before the answer is complete. Handles JSON string escapes split across chunks.
/// </summary>
public sealed partial class ReplyJsonStream
{
    private readonly StringBuilder _json = new();
    private int _next = -1;
    private bool _ended;

    /// <summary>Everything received so far.</summary>
    public string Json => _json.ToString();

    /// <summary>Adds a streamed chunk; returns the reply text it completed (often empty).</summary>
    public string Add(string chunk)
    {
        _json.Append(chunk);
        if (_ended) return "";
        if (_next < 0)
        {
            var start = ReplyStart().Match(_json.ToString());
            if (!start.Success) return "";
            _next = start.Index + start.Length;
        }

        var text = new StringBuilder();
        while (_next < _json.Length)
        {
            var c = _json[_next];
            if (c == '"')
            {
                _ended = true;
                break;
            }
            if (c != '\\')
            {
                text.Append(c);
                _next++;
                continue;
            }
            if (_next + 1 >= _json.Length) break; // the escape continues in the next chunk
            var escaped = _json[_next + 1];
            if (escaped == 'u')
            {
                if (_next + 6 > _json.Length) break;
                text.Append((char)int.Parse(_json.ToString(_next + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                _next += 6;
                continue;
            }
            text.Append(escaped switch { 'n' => '\n', 't' => ' ', 'r' => ' ', 'b' => ' ', 'f' => ' ', _ => escaped });
            _next += 2;
        }
        return text.ToString();
    }

    [GeneratedRegex("\"reply\"\\s*:\\s*\"")]
    private static partial Regex ReplyStart();
}
