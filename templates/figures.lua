-- briefgen's figure filter, run once per brief after audience.lua and before citeproc:
--  * an image path is read relative to the sections' folder (metadata briefgen-sections),
--    then to the project, and rewritten to the project-relative path of the image file
--    briefgen listed (metadata briefgen-media: "<relative path>\t<absolute path>" lines),
--    so PDF, DOCX and HTML show the same file;
--  * figures and tables are numbered in document order, each kind on its own, as Typst
--    numbers them (the number goes into the attribute briefgen-number: brief.lua writes
--    "Figure 2: " before a DOCX or HTML caption; Typst writes its own);
--  * a citation of fig-<id> or tbl-<id> (Quarto's cross-references, never bibliography
--    keys) becomes a link "Figure 2" / "Table 1" to that figure or table; one whose
--    figure or table is not in the brief reads "??".

local allowed, base = {}, ""
local numbers = {}

local function read_listing(path)
  local handle = io.open(path, "rb")
  if handle == nil then error("briefgen: cannot read the image listing") end
  for line in handle:lines() do
    local rel = line:match("^([^\t]+)\t")
    if rel then allowed[rel] = true end
  end
  handle:close()
end

local function normalise(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts == 0 then return nil end
      table.remove(parts)
    elseif part ~= "." then
      table.insert(parts, part)
    end
  end
  return table.concat(parts, "/")
end

local function resolve(src)
  if src:match("^%a[%w+.-]*:") or src:sub(1, 1) == "/" or src:find("\\", 1, true) then
    return src
  end
  local candidates = {}
  if base ~= "" then table.insert(candidates, normalise(base .. "/" .. src)) end
  table.insert(candidates, normalise(src))
  for _, candidate in pairs(candidates) do
    if candidate and allowed[candidate] then return candidate end
  end
  return src -- the check refuses it; the writers refuse it again
end

function Meta(meta)
  if meta["briefgen-media"] then read_listing(pandoc.utils.stringify(meta["briefgen-media"])) end
  if meta["briefgen-sections"] then base = pandoc.utils.stringify(meta["briefgen-sections"]) end
  meta["briefgen-media"], meta["briefgen-sections"] = nil, nil -- no machine path in outputs
  return meta
end

local function is_reference(id)
  return id:match("^fig%-") ~= nil or id:match("^tbl%-") ~= nil
end

local function reference(citation)
  local out = pandoc.Inlines({})
  out:extend(citation.prefix)
  if #citation.prefix > 0 then out:insert(pandoc.Space()) end
  local target = numbers[citation.id]
  if target then
    out:insert(pandoc.Link({ pandoc.Str(target[1]), pandoc.Space(), pandoc.Str(target[2]) },
      "#" .. citation.id))
  else
    out:insert(pandoc.Strong({ pandoc.Str("??") }))
  end
  out:extend(citation.suffix)
  return out
end

local function Cite(cite)
  local refs, rest = {}, {}
  for _, citation in ipairs(cite.citations) do
    table.insert(is_reference(citation.id) and refs or rest, citation)
  end
  if #refs == 0 then return nil end
  local out = pandoc.Inlines({})
  if #rest > 0 then
    cite.citations = rest
    out:insert(cite)
    out:insert(pandoc.Space())
  end
  for i, citation in ipairs(refs) do
    if i > 1 then out:extend({ pandoc.Str(","), pandoc.Space() }) end
    out:extend(reference(citation))
  end
  return out
end

function Pandoc(doc)
  local counts = { Figure = 0, Table = 0 }
  local function number(kind)
    return function(el)
      counts[kind] = counts[kind] + 1
      local n = tostring(counts[kind])
      if el.identifier ~= "" then numbers[el.identifier] = { kind, n } end
      el.attributes["briefgen-number"] = n
      return el
    end
  end
  doc = doc:walk({ traverse = "topdown", Figure = number("Figure"), Table = number("Table") })
  return doc:walk({
    Cite = Cite,
    Image = function(image) image.src = resolve(image.src); return image end,
  })
end

return {
  { Meta = Meta },
  { Pandoc = Pandoc },
}
