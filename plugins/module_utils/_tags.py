# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Image tags: the forms a task may give them in, and the rules a tag and a tag filter follow.

Private to this collection: the API may change without notice. Pure functions, unit-tested.
The IMS rules (docs/dev/ims-api.md, "Tags"): a tag is 1 to 255 characters without ``/``
(else ``IMG.0115``), by convention ``key=value``; the ``tag`` filter of a listing matches
one whole tag exactly.
"""

from __future__ import annotations

TAG_MAX = 255
WILDCARDS = ("*", "?")


class TagError(ValueError):
    """A tag value that would be stored wrong or refused; the message names the option."""


def _text(option, value):
    """``value`` as text: strings as they are, numbers as written; anything else is refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TagError("%s must be a list of strings, a comma-separated string or a dictionary of key: value; got %r"
                   % (option, value))


def tag_problem(tag):
    """Why ``tag`` cannot be stored as it is written (None when it can)."""
    if tag == "":
        return "an empty tag"
    if tag != tag.strip():
        return "surrounding whitespace"
    if len(tag) > TAG_MAX:
        return "more than %d characters" % TAG_MAX
    if "/" in tag:
        return "a '/'"
    if "," in tag:
        return "a comma; give each tag as its own list item"
    key, sep, value = tag.partition("=")
    if sep and not key:
        return "an empty key"
    if sep and (key != key.strip() or value != value.strip()):
        return "whitespace around '='"
    return None


def normalize_tags(value, option="tags"):
    """The tag list a task's ``tags`` means, checked; raise :class:`TagError` naming ``option``.

    ``value`` is None (tags left alone), a list of strings, a comma-separated string (each
    part stripped: ``"team=web, env=prod"`` is ``team=web`` and ``env=prod``) or a dictionary
    (``{team: web}`` is ``team=web``, as amazon.aws takes tags). A list item is never
    rewritten: one with surrounding whitespace is refused, like an empty tag or key.
    """
    if value is None:
        return None
    if isinstance(value, dict):
        tags = []
        for key in value:
            item = value[key]
            if item is None or isinstance(item, (list, dict)):
                raise TagError("%s as a dictionary must map each key to a string or a number; %r maps to %r"
                               % (option, key, item))
            if isinstance(item, bool):
                item = "true" if item else "false"
            tags.append("%s=%s" % (_text(option, key), _text(option, item)))
        where = "the dictionary"
    elif isinstance(value, (list, tuple)):
        tags = [_text(option, item) for item in value]
        where = "the list"
    else:
        text = _text(option, value)
        tags = [part.strip() for part in text.split(",")]
        where = "the comma-separated string %r" % text
    problems = []
    for tag in tags:
        problem = tag_problem(tag)
        if problem:
            problems.append("%r (%s)" % (tag, problem))
    if problems:
        raise TagError("%s must each be 1 to %d characters without '/', ',' or surrounding whitespace, and a key=value "
                       "tag needs a key (e.g. team=web); %s has %s" % (option, TAG_MAX, where, ", ".join(problems)))
    return list(dict.fromkeys(tags))


def tag_filter_warning(option, tag):
    """A warning for a tag filter that is valid but likely not what was meant (None: no warning).

    A tag without ``=`` is kept, not refused: the IMS tag call takes a bare key, so such a tag
    may exist, but it never finds the ``key=value`` tags of that key.
    """
    if "=" not in tag:
        return ("%s %r has no '=': it matches only images tagged exactly %r, not those tagged %s=VALUE (IMS tags are "
                "key=value); to match any value of a key, select on the images' tags client-side"
                % (option, tag, tag, tag))
    return None


def tag_filter_problem(option, tag, takes_a_list=True):
    """Why the tag filter ``tag`` cannot match anything (None when it can), naming ``option``.

    ``takes_a_list``: whether the option also takes a list of tags (the message says how to ask for several).
    """
    if tag == "":
        return "%s must not be empty; leave it out to match any tag" % option
    if "," in tag:
        parts = ", ".join(part.strip() for part in tag.split(","))
        several = ("to ask for several tags at once, give %s a list (images with all of them), e.g. [%s]" % (option, parts)
                   if takes_a_list else "%s takes one tag" % option)
        return "%s %r holds a comma, but a tag is matched whole and no tag holds a comma: %s" % (option, tag, several)
    if any(char in tag for char in WILDCARDS):
        return ("%s %r holds a wildcard, but a tag is matched exactly, not as a pattern; leave %s out and select "
                "on the images' tags client-side instead" % (option, tag, option))
    return None
