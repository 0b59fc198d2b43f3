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

local function xml_escape(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

local function inlines_of(value)
  if value == nil then return nil end
  if pandoc.utils.type(value) == "Inlines" then return value end
  local text = pandoc.utils.stringify(value)
  if text:match("^%s*$") then return nil end
  return pandoc.Inlines(text)
end

-- The marking as the header's badge: its TLP colour on black, as the reader sees it
-- (marking-label: the audience's marking_label, else the marking). The colour is checked to be
-- six hex digits and the marking is escaped, though briefgen sets both (--metadata).
local function marking_run(meta)
  local colour = pandoc.utils.stringify(meta["marking-fg"] or "")
  if not colour:match("^%x%x%x%x%x%x$") then error("briefgen: bad marking colour " .. colour) end
  return pandoc.RawInline("openxml",
    '<w:r><w:rPr><w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/><w:b/>'
    .. '<w:color w:val="' .. colour .. '"/><w:sz w:val="18"/>'
    .. '<w:shd w:val="clear" w:color="auto" w:fill="000000"/></w:rPr>'
    .. '<w:t xml:space="preserve"> '
    .. xml_escape(pandoc.utils.stringify(meta["marking-label"] or meta.marking or ""))
    .. ' </w:t></w:r>')
end

local PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'

-- Word's contents field, marked dirty; briefgen's settings.xml asks Word to update fields
-- on opening (render.py), so Word fills it in. LibreOffice needs Tools > Update.
local TOC = '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
  .. '<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>'
  .. '<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t>Contents</w:t></w:r></w:p>'
  .. '<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/>'
  .. '<w:instrText xml:space="preserve">TOC \\o "1-1" \\h \\z \\u</w:instrText>'
  .. '<w:fldChar w:fldCharType="separate"/><w:fldChar w:fldCharType="end"/></w:r></w:p>'
  .. '</w:sdtContent></w:sdt>'

-- The DOCX's title block, as the PDF's title page has it: the organisation, the title and
-- subtitle, then "Prepared for", "Date" and "Marking"; for a paper the contents follow, each
-- on a page of its own. pandoc would write the title and date itself, then its contents, with
-- no room for the rest between them: so they are taken out of the metadata and written here.
local function docx_front(doc, toc)
  local meta = doc.meta
  local blocks = {}
  local function styled(style, inlines)
    if inlines == nil then return end
    table.insert(blocks, pandoc.Div({ pandoc.Para(inlines) }, { ["custom-style"] = style }))
  end
  local function line(label, inlines)
    if inlines == nil then return end
    local content = pandoc.Inlines({ pandoc.Strong(label), pandoc.Space() })
    content:extend(inlines)
    styled("Front Matter", content)
  end
  styled("Organisation", inlines_of(meta.organisation))
  styled("Title", inlines_of(meta.title))
  styled("Subtitle", inlines_of(meta.subtitle))
  line("Prepared for:", inlines_of(meta["audience-label"]))
  line("Date:", inlines_of(meta.date))
  line("Marking:", pandoc.Inlines({ marking_run(meta) }))
  if toc then
    table.insert(blocks, pandoc.RawBlock("openxml", PAGE_BREAK))
    table.insert(blocks, pandoc.RawBlock("openxml", TOC))
    table.insert(blocks, pandoc.RawBlock("openxml", PAGE_BREAK))
  end
  -- (pandoc's own contents follow the metadata's toc too)
  meta.title, meta.subtitle, meta.date, meta.toc = nil, nil, nil, nil
  doc.meta = meta
  local body = pandoc.Blocks(blocks)
  body:extend(doc.blocks)
  doc.blocks = body
  return doc
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
      -- one <h1>, the title (the template's): the brief's headings go one level down
      copy = copy:walk({ Header = function(h) h.level = h.level + 1; return h end })
      options.toc_depth = 2
      local path = variable(opts, "briefgen-html")
      options.template = pandoc.template.compile(read_file(path), path)
      options.section_divs = true
      options.number_sections = numbered
    else
      options.number_sections = numbered
      options.table_of_contents = false -- docx_front writes it, after the title block
      copy = docx_front(copy, toc)
    end
    local output = pandoc.write(copy, name, pandoc.WriterOptions(options))
    table.insert(parts, format .. " " .. #output .. "\n" .. output)
  end
  return table.concat(parts)
end
