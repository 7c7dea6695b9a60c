using System.Xml;

namespace CompressBuild.Tasks;

/// <summary>
/// Finds the line of an item's element in the project file that defined it, so errors about inline metadata
/// point where the user wrote them. MSBuild does not hand tasks an item's position, so the file is read again
/// with <see cref="XmlReader"/> line information and the item is matched by its <c>Include</c>: literally, or by
/// the full path the Include resolves to. Includes with wildcards or properties cannot be matched this way;
/// the caller then falls back to the file without a line.
/// </summary>
internal static class ProjectItemLocator
{
    public static ItemLocation? Find(string projectFile, string itemType, string itemSpec, string itemFullPath)
    {
        if (!File.Exists(projectFile))
        {
            return null;
        }

        try
        {
            using var stream = File.OpenRead(projectFile);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreComments = true });
            var directory = Path.GetDirectoryName(Path.GetFullPath(projectFile)) ?? "";
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element
                    || !string.Equals(reader.LocalName, itemType, StringComparison.OrdinalIgnoreCase)
                    || reader.GetAttribute("Include") is not { } include
                    || !Matches(include, directory, itemSpec, itemFullPath))
                {
                    continue;
                }

                return ReadElement(reader, projectFile);
            }
        }
        catch (XmlException)
        {
            // A project MSBuild could evaluate but XmlReader cannot read (unlikely): no line, not an error.
        }

        return null;
    }

    private static ItemLocation ReadElement(XmlReader reader, string projectFile)
    {
        var info = (IXmlLineInfo)reader;
        var location = new ItemLocation(projectFile, info.LineNumber, Math.Max(1, info.LinePosition - 1));
        var depth = reader.Depth;
        var empty = reader.IsEmptyElement;
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                location.Metadata[reader.LocalName] = new ItemLocation(projectFile, info.LineNumber, info.LinePosition);
            }
            while (reader.MoveToNextAttribute());

            reader.MoveToElement();
        }

        if (!empty)
        {
            while (reader.Read() && reader.Depth > depth)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == depth + 1)
                {
                    location.Metadata[reader.LocalName] = new ItemLocation(projectFile, info.LineNumber, Math.Max(1, info.LinePosition - 1));
                }
            }
        }

        return location;
    }

    private static bool Matches(string include, string directory, string itemSpec, string itemFullPath)
    {
        foreach (var raw in include.Split(';'))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            if (string.Equals(Normalize(part), Normalize(itemSpec), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (part.IndexOf("$(", StringComparison.Ordinal) >= 0 || part.IndexOf("@(", StringComparison.Ordinal) >= 0
                || part.IndexOf('*') >= 0 || part.IndexOf('?') >= 0 || part.IndexOf('%') >= 0)
            {
                continue;
            }

            try
            {
                var full = Path.GetFullPath(Path.Combine(directory, Normalize(part)));
                if (string.Equals(full, itemFullPath, PathComparison))
                {
                    return true;
                }
            }
            catch (ArgumentException)
            {
            }
            catch (NotSupportedException)
            {
            }
        }

        return false;
    }

    private static StringComparison PathComparison => Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static string Normalize(string path) => path.Replace('\\', Path.DirectorySeparatorChar).Replace('/', Path.DirectorySeparatorChar);
}
