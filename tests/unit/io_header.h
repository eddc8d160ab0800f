/*
 * io_header.h - the header row of the Twitter Information Operations
 * archive's tweets file, for tests that write small archives of their own
 * (one copy, so that every test reads the columns chorus expects).
 */
#ifndef CHORUS_IO_HEADER_H
#define CHORUS_IO_HEADER_H

#define IO_HEADER                                                                                \
    "tweetid,userid,user_display_name,user_screen_name,user_reported_location,"                  \
    "user_profile_description,user_profile_url,follower_count,following_count,"                  \
    "account_creation_date,account_language,tweet_language,tweet_text,tweet_time,"               \
    "tweet_client_name,in_reply_to_userid,in_reply_to_tweetid,quoted_tweet_tweetid,is_retweet," \
    "retweet_userid,retweet_tweetid,latitude,longitude,quote_count,reply_count,like_count,"      \
    "retweet_count,hashtags,urls,user_mentions,poll_choices\n"

#endif
