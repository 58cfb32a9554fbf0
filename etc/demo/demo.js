/* The birdgate demo page: the seed's TwitterRESTHandler examples with jQuery.
   Every url is relative, so the page also works below a prefix. */
/* global $ */
(function () {
  'use strict';

  // Read by the browser test (tests/browser/login.test.mjs).
  window.lastFailMessage = null;
  window.lastXFailMessage = null;

  function text(s) {
    return $('<div>').text(s == null ? '' : String(s)).html();
  }

  // "401 access token missing" from a failed jqXHR.
  function describe(xhr, status, msg) {
    var detail = '';
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.errors && body.errors.length) detail = body.errors[0].message;
    } catch (e) { /* not JSON */ }
    var line = (xhr.status || status) + ' ' + (msg || status || 'request failed');
    if (detail && detail !== msg) line += ': ' + detail;
    return line;
  }

  function showError(area, xhr, status, msg) {
    var line = describe(xhr, status, msg);
    $(area).html('<span class="error">' + text(line) + '</span>');
    $('#errors').append($('<p class="error">').text(new Date().toLocaleTimeString() + ' ' + line));
  }

  function busy(area, what) {
    $(area).html('<span class="busy">' + text(what) + '…</span>');
  }

  function tweetItem(t) {
    var user = t.user || {};
    var li = $('<li class="tweet">');
    li.append($('<span class="name">').text(user.name || ''));
    li.append(' ');
    li.append($('<span class="screen-name">').text('@' + (user.screen_name || '?')));
    li.append(' ');
    li.append($('<time>').text(t.created_at || ''));
    li.append($('<p class="text">').text(t.full_text || t.text || ''));
    return li;
  }

  function listTweets(list, tweets) {
    $(list).empty();
    $.each(tweets || [], function (_, t) { $(list).append(tweetItem(t)); });
  }

  // ---------------------------------------------------------- 1. search
  $('#search-form').on('submit', function (e) {
    e.preventDefault();
    var q = $('#search-q').val(), count = $('#search-count').val() || 5;
    busy('#search-status', 'Searching');
    $.getJSON('twitter-open/search/tweets.json', {q: q, count: count})
      .done(function (data) {
        var tweets = data.statuses || [];
        $('#search-status').text(tweets.length + ' tweets for "' + q + '"');
        listTweets('#search-result', tweets);
      })
      .fail(function (xhr, status, msg) {
        $('#search-result').empty();
        showError('#search-status', xhr, status, msg);
      });
  });

  // --------------------------------------------- 2. the visitor's login
  function showTimeline(prefix, tweets) {
    tweets = tweets || [];
    // home_timeline holds the user's own tweets and those they follow; the
    // login's screen name comes from verify_credentials.
    $.getJSON(prefix + 'account/verify_credentials.json').done(function (me) {
      $('#' + areaOf(prefix) + '-screen-name').text('@' + me.screen_name)
        .attr('href', 'sandbox/1.1/users/show.json?screen_name=' + encodeURIComponent(me.screen_name));
      $('#' + areaOf(prefix) + '-user').prop('hidden', false);
    });
    $('#' + areaOf(prefix) + '-status').text(tweets.length + ' tweets');
    listTweets('#' + areaOf(prefix) + '-result', tweets);
  }

  function areaOf(prefix) {
    return prefix === 'persist/' ? 'persist' : 'timeline';
  }

  $('#timeline-button').on('click', function () {
    window.lastFailMessage = null;
  window.lastXFailMessage = null;
    busy('#timeline-status', 'Loading');
    $('#timeline-user').prop('hidden', true);
    // The seed's example, as is; the checkbox only lets you see the failure.
    $.get('twitter/statuses/home_timeline.json')
      .done(function (data) { showTimeline('twitter/', data); })
      .fail(function (xhr, status, msg) {
        window.lastFailMessage = msg;
        $('#timeline-result').empty();
        showError('#timeline-status', xhr, status, msg);
        if (msg == 'access token missing' && $('#timeline-auto').prop('checked'))
          location.href = 'twitter/';
      });
  });

  // ------------------------------------------------ 3. persisted login
  $('#persist-button').on('click', function () {
    busy('#persist-status', 'Loading');
    $('#persist-user').prop('hidden', true);
    $.get('persist/statuses/home_timeline.json')
      .done(function (data) { showTimeline('persist/', data); })
      .fail(function (xhr, status, msg) {
        $('#persist-result').empty();
        showError('#persist-status', xhr, status, msg);
        if (msg == 'access token missing')
          $('#persist-status').append(' — nobody has logged in through ', $('<a href="persist/">persist/</a>'), ' yet.');
      });
  });

  // ------------------------------------------------ 4. parallel requests
  function ms(start) {
    return Math.round(performance.now() - start) + ' ms';
  }

  $('#parallel-button').on('click', function () {
    var a = 'twitter-open/search/tweets.json?q=beer&count=20',
        b = 'twitter-open/search/tweets.json?q=wine&count=20';
    busy('#parallel-status', 'Timing');
    var t0 = performance.now();
    $.getJSON(a)
      .then(function () {
        $('#parallel-one').text(ms(t0));
        var t1 = performance.now();
        return $.when($.getJSON(a), $.getJSON(b)).then(function () {
          $('#parallel-two').text(ms(t1));
        });
      })
      .done(function () {
        $('#parallel-status').text('Done.');
        $('#parallel-result').prop('hidden', false);
      })
      .fail(function (xhr, status, msg) { showError('#parallel-status', xhr, status, msg); });
  });

  // --------------------------------------------------- 5. a POST-only url
  $('#post-form').on('submit', function (e) {
    e.preventDefault();
    var q = $('#post-q').val();
    busy('#post-status', 'Posting');
    $.post('twitter/search', {q: q})
      .done(function (data) {
        var tweets = (data && data.statuses) || [];
        $('#post-status').text(tweets.length + ' tweets for "' + q + '"');
        listTweets('#post-result', tweets);
      })
      .fail(function (xhr, status, msg) {
        $('#post-result').empty();
        showError('#post-status', xhr, status, msg);
      });
  });

  // ------------------------------------------------------- 6. X API v2
  // v2 answers {data: [...], includes: {users: [...]}}: the author is looked
  // up in includes when the request expanded author_id.
  function xTweetItem(t, users) {
    var author = users[t.author_id] || {};
    var li = $('<li class="tweet">');
    if (author.username) {
      li.append($('<span class="name">').text(author.name || ''));
      li.append(' ');
      li.append($('<span class="screen-name">').text('@' + author.username));
      li.append(' ');
    }
    li.append($('<time>').text(t.created_at || ''));
    li.append($('<p class="text">').text(t.text || ''));
    return li;
  }

  function listXTweets(list, data) {
    var users = {};
    $.each((data && data.includes && data.includes.users) || [], function (_, u) { users[u.id] = u; });
    $(list).empty();
    $.each((data && data.data) || [], function (_, t) { $(list).append(xTweetItem(t, users)); });
    return ((data && data.data) || []).length;
  }

  $('#x-search-form').on('submit', function (e) {
    e.preventDefault();
    var q = $('#x-search-q').val();
    busy('#x-search-status', 'Searching');
    $.getJSON('x/2/tweets/search/recent',
              {query: q, expansions: 'author_id', 'tweet.fields': 'created_at,author_id'})
      .done(function (data) {
        var n = listXTweets('#x-search-result', data);
        $('#x-search-status').text(n + ' tweets for "' + q + '"');
      })
      .fail(function (xhr, status, msg) {
        $('#x-search-result').empty();
        showError('#x-search-status', xhr, status, msg);
      });
  });

  $('#x-me-button').on('click', function () {
    window.lastXFailMessage = null;
    busy('#x-me-status', 'Loading');
    $('#x-me-user').prop('hidden', true);
    $('#x-me-result').empty();
    $.getJSON('x-user/2/users/me')
      .then(function (me) {
        var user = me.data || {};
        $('#x-me-name').text(user.name || '');
        $('#x-me-username').text('@' + user.username)
          .attr('href', 'sandbox/2/users/by/username/' + encodeURIComponent(user.username));
        $('#x-me-user').prop('hidden', false);
        return $.getJSON('x-user/2/users/' + encodeURIComponent(user.id) + '/tweets',
                         {'tweet.fields': 'created_at'});
      })
      .done(function (data) {
        var n = listXTweets('#x-me-result', data);
        $('#x-me-status').text(n + ' tweets');
      })
      .fail(function (xhr, status, msg) {
        window.lastXFailMessage = msg;
        showError('#x-me-status', xhr, status, msg);
        if (msg == 'access token missing')
          $('#x-me-status').append(' — ', $('<a class="x-login-again" href="x-user/">Log in with X (OAuth 2.0)</a>'),
                                   ' first.');
      });
  });
})();
