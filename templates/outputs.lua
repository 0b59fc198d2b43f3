-- briefgen's writer: one pandoc process turns the assembled brief into several formats.
--
-- pandoc has already read the Markdown, run audience.lua and resolved the citations
-- (--lua-filter audience.lua --citeproc on the command line). For each format named in
-- the variable briefgen-formats ("docx", "html"), this writer runs the
-- per-format filters (brief.lua, then citations.lua, which read FORMAT) on a copy of the
-- document and writes it with that format's writer and template. Reading and citeproc,
-- the costly part, happen once for all formats.
--
-- Output: for each format, a line "<format> <byte count>" followed by that many bytes.
--
-- Variables (-V) set by briefgen's render.py:
--   briefgen-formats     space-separated formats to write
--   briefgen-filters     path list (separated by newlines) of the per-format filters
--   briefgen-html        the HTML template
--   briefgen-toc         "1": contents list      briefgen-numbered "1": numbered sections
--   briefgen-media       a file listing the images the document may show (see load_media)
-- The DOCX reference document comes from --reference-doc.
--
-- A custom writer runs outside pandoc's --sandbox: left to itself, the DOCX writer would
-- read any file an image names (/etc/passwd, ../secret.pem) into word/media/. So this
-- writer reads nothing but what briefgen listed: the image files inside the project, each
-- put into the media bag (from which the writers take images without reading files), and
-- any other image stops the build.

local FORMAT_NAMES = { docx = "docx", html = "html5" }

local function variable(opts, name)
  local value = opts.variables[name]
  if value == nil then return nil end
  return tostring(value)
end

local function read_file(path)
  local handle = assert(io.open(path, "rb"))
  local text = handle:read("a")
  handle:close()
  return text
end

-- Run one filter file the way `pandoc --lua-filter` does, with FORMAT set. Each run gets
-- fresh globals, so state a filter keeps (citations.lua's list of references) is per format.
local function run_filter_file(doc, path, format)
  local env = setmetatable({ FORMAT = format }, { __index = _G })
  local chunk = assert(loadfile(path, "t", env))
  local result = chunk()
  local filters
  if type(result) == "table" and result[1] ~= nil then
    filters = result
  elseif type(result) == "table" then
    filters = { result }
  else
    filters = { env } -- a filter that only defines global functions
  end
  for _, filter in ipairs(filters) do
    doc = doc:walk(filter)
  end
  return doc
end

local MIME = {
  png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", gif = "image/gif",
  svg = "image/svg+xml", webp = "image/webp",
}

-- The listing: one "<path relative to the project>\t<absolute path>" line per image file,
-- each checked by briefgen to be a regular file inside the project.
local function media_listing(opts)
  local allowed = {}
  local listing = variable(opts, "briefgen-media")
  if listing == nil or listing == "" then return allowed end
  for line in string.gmatch(read_file(listing), "[^\n]+") do
    local rel, path = line:match("^([^\t]+)\t(.+)$")
    if rel then allowed[rel] = path end
  end
  return allowed
end

local function relative(src)
  local path = pandoc.path.normalize(src)
  while path:sub(1, 2) == "./" do path = path:sub(3) end
  return path
end

local function load_media(doc, allowed, loaded)
  doc:walk({
    Image = function(image)
      local src = image.src
      if loaded[src] then return nil end
      local path = allowed[relative(src)]
      if path == nil then
        error("briefgen: image '" .. src .. "' is not an image file inside the project")
      end
      local extension = (path:match("%.([%w]+)$") or ""):lower()
      pandoc.mediabag.insert(src, MIME[extension], read_file(path))
      loaded[src] = true
    end,
  })
end

local function split_lines(text)
  local out = {}
  for line in string.gmatch(text or "", "[^\n]+") do table.insert(out, line) end
  return out
end

function ByteStringWriter(doc, opts)
  local filters = split_lines(variable(opts, "briefgen-filters"))
  local toc = variable(opts, "briefgen-toc") == "1"
  local numbered = variable(opts, "briefgen-numbered") == "1"
  local parts = {}
  local allowed, loaded = media_listing(opts), {}
  for format in string.gmatch(variable(opts, "briefgen-formats") or "", "%S+") do
    local name = FORMAT_NAMES[format]
    if not name then error("briefgen: unknown output format " .. format) end
    local copy = doc:clone()
    for _, path in ipairs(filters) do
      copy = run_filter_file(copy, path, name)
    end
    load_media(copy, allowed, loaded)
    local options = {
      table_of_contents = toc,
      toc_depth = 1,
      reference_doc = opts.reference_doc,
      variables = opts.variables,
    }
    if format == "html" then
      local path = variable(opts, "briefgen-html")
      options.template = pandoc.template.compile(read_file(path), path)
      options.section_divs = true
      options.number_sections = numbered
    else
      options.number_sections = numbered
    end
    local output = pandoc.write(copy, name, pandoc.WriterOptions(options))
    table.insert(parts, format .. " " .. #output .. "\n" .. output)
  end
  return table.concat(parts)
end
