"""Named sources (`sources:` in the config): each one read into a folder and a SourceRecord, then indexed.

    read.py      one source -> a materialised folder (path: itself; git: a clone; website: fetch_site)
    git.py       clone / fetch / check out with the git CLI, no hooks, no prompts
    website.py   a website (sitemap or start URL) fetched into a folder (with polite_http.py,
                 site_folder.py, sitemap.py)
    globs.py     include / exclude globs
    state.py     each source's last refresh outcome (last success, last error) in the state folder
    build.py     read the sources and build one generation from all of them
    refresher.py re-read sources on their `refresh_minutes` schedule, in the background

Retrieval never imports `bot/`: a source is anything shaped like bot.settings.SourceSettings (SourceSpec).
"""
